import CPDCost
