SetVar(json, {"title": "Are you agree to send money?", "params": {"ggg1": "ggg2"}})
	JsonToSource(src_json, #json#, a1)
	
	ForList(src_json){
		If(#a1_key# == params){
			JsonToSource(src_params, #a1_value#, a2)
			Table(src_params)
		}
	}