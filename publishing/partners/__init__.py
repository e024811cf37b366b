"""Partner accounts, their campaign kits (banners, social images, print PDFs, texts) and
the attribution of visits and stories to the partner whose link or QR code brought them."""
