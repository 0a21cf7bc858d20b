# The tools a study's jobs call: $QFLOW_TRAIN, $QFLOW_SIM and $QFLOW_STUDY when set, else
# qflow-train, qflow-sim and qflow-study on the PATH (written by qflow-study plan).
train=${QFLOW_TRAIN:-qflow-train} sim=${QFLOW_SIM:-qflow-sim} study=${QFLOW_STUDY:-qflow-study}
for tool in "$train" "$sim" "$study"; do
  command -v "$tool" > /dev/null || {
    echo "$tool not found: put qflow-train, qflow-sim and qflow-study on the PATH or set QFLOW_TRAIN, QFLOW_SIM, QFLOW_STUDY" >&2
    exit 1
  }
done
