"""The public side of the campaign: the story gallery, feeds, sitemap and legal pages."""
