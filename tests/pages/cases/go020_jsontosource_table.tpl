SetVar(json, {"title": "some text", "params": {"ggg1": "ggg2"}})
	JsonToSource(src_params, #json#)
	Table(src_params)
	