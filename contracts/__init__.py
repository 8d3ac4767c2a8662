"""Needle, the contract language: lexer, parser and AST (compiler and VM to follow)."""
