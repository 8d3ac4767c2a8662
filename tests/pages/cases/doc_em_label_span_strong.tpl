This is an Em(important news).
Label(The first item).
This is Span(the first item, myclass1).
This is Strong(the first item, myclass1).