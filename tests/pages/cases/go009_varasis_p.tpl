SetVar(tmp, 0#mytest#1)VarAsIs(txt, tmp)VarAsIs(txt2, #tmp#)VarAsIs(txt3, Some #mytest#)
	 VarAsIs(txt4, #mytest# #tmp# #txt#)
	  P(#txt# #txt2# #txt3# #txt4#)