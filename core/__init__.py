"""The lowest layer: staff and their roles, the audit log, and the web plumbing both apps share.

Arrows only point down (config → okuyami → procedures → core): nothing here imports
`procedures` or `okuyami` (tests/test_layers.py enforces it).
"""
