SetVar(group_access, "[]")If(#group_access# != "[]"){test}.Else{ok}
	If(Or(#group_access# != "[]", false)){testOr}.Else{okOr}
	If(And(#group_access# != "[]", true)){testAnd}.Else{okAnd}