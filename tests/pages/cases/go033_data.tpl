Data(Columns: "a"){a
		b}.Custom(){}