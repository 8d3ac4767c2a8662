P(<b> & "q" ' \u2028 
 tab	end)