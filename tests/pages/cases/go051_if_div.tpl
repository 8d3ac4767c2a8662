If(){SetVar(false_condition, 1)Span(False)}.Else{SetVar(true_condition, 1)Span(True)} 
	  If(true){SetVar(ok, 1)}.Else{SetVar(problem, 1)}
	  If(false){SetVar(if, 1)}.ElseIf(true){SetVar(elseif, 1)}.Else{SetVar(else, 1)}
	  Div(){
		#false_condition# #true_condition# #ok# #problem# #if# #elseif# #else#
	  }