Div(myclass)Div().Style{
		.class {
			text-style: italic;
		}
	}
				Div()