enum PhimMediaPlaceholder {}
