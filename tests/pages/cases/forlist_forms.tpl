Data(s, "a,b"){1,2
3,4}ForList(s){SetVar(seen, #a#)#a#+#b# }P(#seen#|#s_index#)ForList(s, Index: i){#i#}ForList(){x}ForList(nosuch){y}