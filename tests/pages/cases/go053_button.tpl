Button(Body: addpage, 
		Contract: NewPage, 
		Params: "Name=hello_page2, Value=Div(fefe, dbbt), Menu=default_menu, Conditions=true")