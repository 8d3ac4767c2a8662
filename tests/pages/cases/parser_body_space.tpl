Div(a) {b}Div(c)	{d}Div(e)
{f}