@echo off
rem lambda-cntr launcher for Windows (kubectl-cntr.cmd runs it under the kubectl plugin name).
rem Finds a Java 25 runtime (%LAMBDA_CNTR_JAVA_HOME%, %JAVA_HOME%, java on PATH) and starts the
rem CLI with the same JVM options as bin/lambda-cntr. No AOT cache: it is tied to the JDK that made it.
setlocal
set "LCNTR_HOME=%~dp0.."
if not defined LCNTR_NAME set "LCNTR_NAME=lambda-cntr"
set "LCNTR_JAVA="
if defined LAMBDA_CNTR_JAVA_HOME if exist "%LAMBDA_CNTR_JAVA_HOME%\bin\java.exe" set "LCNTR_JAVA=%LAMBDA_CNTR_JAVA_HOME%\bin\java.exe"
if not defined LCNTR_JAVA if exist "%LCNTR_HOME%\runtime\bin\java.exe" set "LCNTR_JAVA=%LCNTR_HOME%\runtime\bin\java.exe"
if not defined LCNTR_JAVA if defined JAVA_HOME if exist "%JAVA_HOME%\bin\java.exe" set "LCNTR_JAVA=%JAVA_HOME%\bin\java.exe"
if not defined LCNTR_JAVA for %%J in (java.exe) do if not "%%~$PATH:J"=="" set "LCNTR_JAVA=%%~$PATH:J"
if not defined LCNTR_JAVA (
  echo %LCNTR_NAME%: needs a Java 25 runtime: set JAVA_HOME to a JDK 25 ^(looked at %%LAMBDA_CNTR_JAVA_HOME%%, %%JAVA_HOME%% and java on PATH^) 1>&2
  exit /b 79
)
rem cp and port-forward move bulk data through TLS: C2 has the AES-GCM intrinsics (bin/lambda-cntr)
set "LCNTR_TIERS=1"
if "%~1"=="cp" set "LCNTR_TIERS=4"
if "%~1"=="port-forward" set "LCNTR_TIERS=4"
"%LCNTR_JAVA%" -XX:TieredStopAtLevel=%LCNTR_TIERS% -XX:+UseSerialGC -XX:-UsePerfData -Xss1m --enable-native-access=ALL-UNNAMED "-Dlambda-cntr.name=%LCNTR_NAME%" %LAMBDA_CNTR_JAVA_OPTS% -jar "%LCNTR_HOME%\lib\lambda-cntr-cli.jar" %*
exit /b %ERRORLEVEL%
