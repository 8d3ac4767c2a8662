Div(){Span(begin "You've" end<hr>)}Div(Body: `"You've"`)
	  Div(Body: "`You've`")