SetVar("Condition3", 1)If(#Condition3# == 2){Span(1)
		}.ElseIf(#Condition3# == 1){Span(2)SetVar("Condition3", 2)
		}.ElseIf(#Condition3# == 2){Span(3)
		}.Else{Span(else)}