Data(src1, "name,value,cost"){
	    1, 1, 0
	    2, 2
	    3, 3, 4
	    5, 6
	}