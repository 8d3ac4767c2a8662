SetVar(name, John Smith).(out, I am #name#)
Span(#out#)SetVar(Name,"John")
VarAsIs(name, I am #Name#)
Span(#name#)