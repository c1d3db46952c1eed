"""Scheduled digests: when one is due (schedule), what it says
(compose, render), posting it once (service).
"""
