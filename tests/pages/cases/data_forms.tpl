Data(s, "a,b"){"x, y",1
"say ""hi""",2
}Data(t, "a"){bad"quote}Data(Columns: "a", Data: one)Data(u, "a,b"){1,2,3}