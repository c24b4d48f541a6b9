import PhimTensor
