enum PhimTestingPlaceholder {}
