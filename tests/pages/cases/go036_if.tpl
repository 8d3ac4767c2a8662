SetVar("Condition1", 1).("Condition2", 0.3)
		If(And(GetVar("Condition2") == 0.3, And(GetVar("Condition1") == 1, Or(GetVar("Condition2") == 0, GetVar("Condition1") == 0)))){
						Span(fail)
					}.Else{
						Span(success)
					}