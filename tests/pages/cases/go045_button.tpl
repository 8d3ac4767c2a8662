Button(Body: addpage).CompositeContract().CompositeContract(NewPage, [{"param1": "Value 1"},
		{"param2": "Value 2", "param3" : "#mytest#"}]).CompositeContract(EditPage)