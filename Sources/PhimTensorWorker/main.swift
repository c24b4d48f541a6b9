import PhimNN
