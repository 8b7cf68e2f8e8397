"""督办: obstacles, task forces, leaders' instructions and the documents attached to them."""
