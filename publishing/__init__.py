"""The publishing apps: youtube/ (label ``publishing``), partners/ and gallery/."""
