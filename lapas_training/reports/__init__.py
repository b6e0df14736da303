"""Reports (#11): the facility dashboard's figures and charts, the periodic report, the
activity report and news item of a program, and the regional and national roll-up.

Like the dashboard, these modules read every app's models: the arrow from lapas_training up into
the apps is allowed for the dashboard and its reports only.
"""
