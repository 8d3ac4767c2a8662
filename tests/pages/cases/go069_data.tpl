Data(mysrc,"id,name",
		"1",John Silver,2
		2,"Mark, Smith"
	)