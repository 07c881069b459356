"""The hardware simulator: a separate process that speaks only real protocols.

It shares nothing with the service except device profiles (``drivers/profiles``),
so it can run on another machine and a bug found against it is a bug in the field.
"""
