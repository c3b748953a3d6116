"""Calibration of the uncertain parameters to published figures by sequential approximate
Bayesian computation (ABC-SMC, with pyabc); see ``abc`` for the method and its choices."""
