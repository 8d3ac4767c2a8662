SetVar(mytime, 2015-08-27T09:01:00)DateTime(2017-11-07T17:51:08)
DateTime(#mytime#,HH:MI DD.MM.YYYY)