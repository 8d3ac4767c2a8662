InputErr(Name: name,
minLength: Value is too short,
maxLength: The length of the value must be less than 20 characters)