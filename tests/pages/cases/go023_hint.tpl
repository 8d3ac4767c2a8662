Hint( [col1,col2] , {"test": Test val}, 
	   {"mypar1":"myval1, 2", mypar2: [1, 20], "qqq": {name: John, "lastName": "Smith"}} )