enum PhimGraphicsPlaceholder {}
