SetVar(test1, one)CodeAsIs( P(This is the #test1#.
    Span(This is the #test2#.))
)