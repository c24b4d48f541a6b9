enum PhimComposePlaceholder {}
