"""Front ends that exist only in the tests, to prove the core takes a new messenger as it is."""
