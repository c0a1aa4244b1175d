@echo off
rem The kubectl plugin name of lambda-cntr on Windows: `kubectl cntr ...` runs this.
setlocal
set "LCNTR_NAME=kubectl cntr"
call "%~dp0lambda-cntr.cmd" %*
exit /b %ERRORLEVEL%
