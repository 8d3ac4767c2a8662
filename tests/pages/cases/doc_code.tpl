Code( P(This is the first line.
    Span(This is the second line.))
)