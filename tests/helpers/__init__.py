"""What tests share beyond fixtures: archives and documents made for them, paths to test
data, a local web server. Tests import from here, never from another folder's conftest."""
