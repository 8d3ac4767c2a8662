SetVar(outer, [{"obj1_key1": "obj1_value1"},{"obj2_key2": "obj2_value2"}])
	ArrayToSource(outer, #outer#, p1)