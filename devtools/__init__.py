"""Development tools that sit beside the product and never ship in its image."""
