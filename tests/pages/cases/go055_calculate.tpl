Calculate( Exp: 342278783438/0, Type: money )Calculate( Exp: 5.2/0, Type: float )
	Calculate( Exp: 7/0)SetVar(moneyDigit, 2)Calculate(10/2, Type: money, Prec: #moneyDigit#)