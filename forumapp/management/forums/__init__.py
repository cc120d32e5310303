"""Categories and forums: their order, who may see and moderate them, and deleting them."""
