"""Small building blocks shared by the pages: each page stays a thin script."""
