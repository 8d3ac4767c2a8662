Code(P(Some text)
 Div(myclass){
	 Span(Strong("Bold text"))
 })