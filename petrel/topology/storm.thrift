// petrel's description of the Apache Storm Nimbus Thrift interface.
//
// Written for petrel from the facts in docs/internals/thrift.md:
// field ids, types and requiredness match what Storm puts on the wire. Only what a client
// that builds, submits, inspects and manages topologies needs is described here; readers
// skip any field they do not know, so extra fields sent by a newer Nimbus are harmless.
//
// Version tolerance: where Storm releases disagree about a field (it appeared, vanished or
// changed requiredness between 0.9.x, 1.x and 2.x), the field is declared `optional` here
// so that decoding a reply from any of those servers never fails on a missing field.
// Each such field is marked "VERSION:" below.

namespace py storm_thrift
namespace java org.apache.storm.generated

// ---------------------------------------------------------------- topology

// A constructor argument of a JVM object; Storm looks up a constructor whose parameter
// types are the boxed classes Integer, Long, String, Boolean, ByteBuffer, Double.
union JavaObjectArg {
  1: i32 int_arg;
  2: i64 long_arg;
  3: string string_arg;
  4: bool bool_arg;
  5: binary binary_arg;
  6: double double_arg;
}

struct JavaObject {
  1: required string full_class_name;
  2: required list<JavaObjectArg> args_list;
}

// Marker with no fields; encodes as the single STOP byte.
struct NullStruct {
}

struct GlobalStreamId {
  1: required string componentId;
  2: required string streamId;
}

// Exactly one member is set. An empty `fields` list is the global grouping.
union Grouping {
  1: list<string> fields;
  2: NullStruct shuffle;
  3: NullStruct all;
  4: NullStruct none;
  5: NullStruct direct;
  6: JavaObject custom_object;
  7: binary custom_serialized;
  8: NullStruct local_or_shuffle;
}

struct StreamInfo {
  1: required list<string> output_fields;
  2: required bool direct;
}

// Default requiredness in Storm's IDL; both must be set for the worker to start it.
struct ShellComponent {
  1: string execution_command;
  2: string script;
}

union ComponentObject {
  1: binary serialized_java;
  2: ShellComponent shell;
  3: JavaObject java_object;
}

struct ComponentCommon {
  1: required map<GlobalStreamId, Grouping> inputs;
  2: required map<string, StreamInfo> streams;   // stream id -> declaration
  3: optional i32 parallelism_hint;              // unset = one executor
  4: optional string json_conf;                  // JSON object of component conf
}

struct SpoutSpec {
  1: required ComponentObject spout_object;
  2: required ComponentCommon common;
}

struct Bolt {
  1: required ComponentObject bolt_object;
  2: required ComponentCommon common;
}

// Declared by Storm but never implemented; always sent as an empty map.
struct StateSpoutSpec {
  1: required ComponentObject state_spout_object;
  2: required ComponentCommon common;
}

struct SharedMemory {
  1: required string name;
  2: optional double on_heap;
  3: optional double off_heap_worker;
  4: optional double off_heap_node;
}

struct StormTopology {
  1: required map<string, SpoutSpec> spouts;
  2: required map<string, Bolt> bolts;
  3: required map<string, StateSpoutSpec> state_spouts;
  4: optional list<binary> worker_hooks;                           // VERSION: 1.0+
  5: optional list<string> dependency_jars;                        // VERSION: 1.1+
  6: optional list<string> dependency_artifacts;                   // VERSION: 1.1+
  7: optional string storm_version;                                // VERSION: 1.2+
  8: optional string jdk_version;                                  // VERSION: 1.2+
  9: optional map<string, set<string>> component_to_shared_memory; // VERSION: 2.0+
  10: optional map<string, SharedMemory> shared_memory;            // VERSION: 2.0+
}

// ---------------------------------------------------------------- exceptions

exception AlreadyAliveException {
  1: required string msg;
}

exception NotAliveException {
  1: required string msg;
}

// VERSION: 0.10+; older servers never send it.
exception AuthorizationException {
  1: required string msg;
}

exception InvalidTopologyException {
  1: required string msg;
}

exception KeyNotFoundException {
  1: required string msg;
}

exception IllegalStateException {
  1: required string msg;
}

exception KeyAlreadyExistsException {
  1: required string msg;
}

// ---------------------------------------------------------------- options

enum TopologyInitialStatus {
  ACTIVE = 1,
  INACTIVE = 2
}

struct Credentials {
  1: required map<string, string> creds;
  2: optional string topoOwner;
}

struct SubmitOptions {
  1: required TopologyInitialStatus initial_status;
  2: optional Credentials creds;                   // VERSION: 0.10+
}

struct KillOptions {
  1: optional i32 wait_secs;                      // unset = topology.message.timeout.secs
}

struct RebalanceOptions {
  1: optional i32 wait_secs;
  2: optional i32 num_workers;
  3: optional map<string, i32> num_executors;
  4: optional map<string, map<string, double>> topology_resources_overrides; // VERSION: 2.0+
  5: optional string topology_conf_overrides;                               // VERSION: 2.0+
  6: optional string principal;                   // VERSION: 2.0+; Nimbus overwrites it
}

enum NumErrorsChoice {
  ALL = 0,
  NONE = 1,
  ONE = 2
}

struct GetInfoOptions {
  1: optional NumErrorsChoice num_err_choice;
}

// The names used by the `status` strings of the summaries.
enum TopologyStatus {
  ACTIVE = 1,
  INACTIVE = 2,
  REBALANCING = 3,
  KILLED = 4
}

enum ComponentType {
  BOLT = 1,
  SPOUT = 2
}

// ---------------------------------------------------------------- read side

struct NimbusSummary {
  1: required string host;
  2: required i32 port;
  3: required i32 uptime_secs;
  4: required bool isLeader;
  5: required string version;
  6: optional i32 tlsPort;                        // VERSION: 2.7+
}

struct SupervisorSummary {
  1: required string host;
  2: required i32 uptime_secs;
  3: required i32 num_workers;
  4: required i32 num_used_workers;
  5: required string supervisor_id;
  6: optional string version = "VERSION_NOT_PROVIDED";
  7: optional map<string, double> total_resources;
  8: optional double used_mem;
  9: optional double used_cpu;
  10: optional double fragmented_mem;
  11: optional double fragmented_cpu;
  12: optional bool blacklisted;
  13: optional map<string, double> used_generic_resources;
}

struct TopologySummary {
  1: required string id;
  2: required string name;
  3: required i32 num_tasks;
  4: required i32 num_executors;
  5: required i32 num_workers;
  6: required i32 uptime_secs;
  7: required string status;
  8: optional string storm_version;
  9: optional string topology_version;
  513: optional string sched_status;
  514: optional string owner;
  515: optional i32 replication_count;
  521: optional double requested_memonheap;
  522: optional double requested_memoffheap;
  523: optional double requested_cpu;
  524: optional double assigned_memonheap;
  525: optional double assigned_memoffheap;
  526: optional double assigned_cpu;
  527: optional map<string, double> requested_generic_resources;
  528: optional map<string, double> assigned_generic_resources;
}

struct ClusterSummary {
  1: required list<SupervisorSummary> supervisors;
  // VERSION: required in 0.9.x, optional and deprecated in 1.x, removed in 2.x.
  2: optional i32 nimbus_uptime_secs;
  3: required list<TopologySummary> topologies;
  // VERSION: 1.0+; a 0.9.x server never sends it.
  4: optional list<NimbusSummary> nimbuses;
}

struct ErrorInfo {
  1: required string error;
  2: required i32 error_time_secs;
  3: optional string host;
  4: optional i32 port;
}

// Window ("600", "10800", "86400", ":all-time") -> stream -> value.
struct BoltStats {
  1: required map<string, map<GlobalStreamId, i64>> acked;
  2: required map<string, map<GlobalStreamId, i64>> failed;
  3: required map<string, map<GlobalStreamId, double>> process_ms_avg;
  // VERSION: absent from some early releases.
  4: optional map<string, map<GlobalStreamId, i64>> executed;
  5: optional map<string, map<GlobalStreamId, double>> execute_ms_avg;
}

struct SpoutStats {
  1: required map<string, map<string, i64>> acked;
  2: required map<string, map<string, i64>> failed;
  3: required map<string, map<string, double>> complete_ms_avg;
}

union ExecutorSpecificStats {
  1: BoltStats bolt;
  2: SpoutStats spout;
}

struct ExecutorStats {
  1: required map<string, map<string, i64>> emitted;
  2: required map<string, map<string, i64>> transferred;
  3: required ExecutorSpecificStats specific;
  4: optional double rate;                        // VERSION: required from 0.10, absent before
}

struct ExecutorInfo {
  1: required i32 task_start;
  2: required i32 task_end;
}

struct ExecutorSummary {
  1: required ExecutorInfo executor_info;
  2: required string component_id;
  3: required string host;
  4: required i32 port;
  5: required i32 uptime_secs;
  7: optional ExecutorStats stats;
}

struct DebugOptions {
  1: optional bool enable;
  2: optional double samplingpct;
}

struct TopologyInfo {
  1: required string id;
  2: required string name;
  3: required i32 uptime_secs;
  4: required list<ExecutorSummary> executors;
  5: required string status;
  6: required map<string, list<ErrorInfo>> errors;  // component id -> errors
  7: optional map<string, DebugOptions> component_debug;
  8: optional string storm_version;
  513: optional string sched_status;
  514: optional string owner;
  515: optional i32 replication_count;
  521: optional double requested_memonheap;
  522: optional double requested_memoffheap;
  523: optional double requested_cpu;
  524: optional double assigned_memonheap;
  525: optional double assigned_memoffheap;
  526: optional double assigned_cpu;
}

struct CommonAggregateStats {
  1: optional i32 num_executors;
  2: optional i32 num_tasks;
  3: optional i64 emitted;
  4: optional i64 transferred;
  5: optional i64 acked;
  6: optional i64 failed;
  7: optional map<string, double> resources_map;
}

struct SpoutAggregateStats {
  1: optional double complete_latency_ms;
}

struct BoltAggregateStats {
  1: optional double execute_latency_ms;
  2: optional double process_latency_ms;
  3: optional i64 executed;
  4: optional double capacity;
}

union SpecificAggregateStats {
  1: BoltAggregateStats bolt;
  2: SpoutAggregateStats spout;
}

struct ComponentAggregateStats {
  1: optional ComponentType type;
  2: optional CommonAggregateStats common_stats;
  3: optional SpecificAggregateStats specific_stats;
  4: optional ErrorInfo last_error;
}

struct TopologyStats {
  1: optional map<string, i64> window_to_emitted;
  2: optional map<string, i64> window_to_transferred;
  3: optional map<string, double> window_to_complete_latencies_ms;
  4: optional map<string, i64> window_to_acked;
  5: optional map<string, i64> window_to_failed;
}

struct WorkerSummary {
  1: optional string supervisor_id;
  2: optional string host;
  3: optional i32 port;
  4: optional string topology_id;
  5: optional string topology_name;
  6: optional i32 num_executors;
  7: optional map<string, i64> component_to_num_tasks;
  8: optional i32 time_secs;
  9: optional i32 uptime_secs;
  521: optional double requested_memonheap;
  522: optional double requested_memoffheap;
  523: optional double requested_cpu;
  524: optional double assigned_memonheap;
  525: optional double assigned_memoffheap;
  526: optional double assigned_cpu;
  527: optional string owner;
}

// VERSION: 1.0+. Everything but the id is optional in Storm's own IDL.
struct TopologyPageInfo {
  1: required string id;
  2: optional string name;
  3: optional i32 uptime_secs;
  4: optional string status;
  5: optional i32 num_tasks;
  6: optional i32 num_workers;
  7: optional i32 num_executors;
  8: optional string topology_conf;                 // JSON
  9: optional map<string, ComponentAggregateStats> id_to_spout_agg_stats;
  10: optional map<string, ComponentAggregateStats> id_to_bolt_agg_stats;
  11: optional string sched_status;
  12: optional TopologyStats topology_stats;
  13: optional string owner;
  14: optional DebugOptions debug_options;
  15: optional i32 replication_count;
  16: optional list<WorkerSummary> workers;
  17: optional string storm_version;
  18: optional string topology_version;
  521: optional double requested_memonheap;
  522: optional double requested_memoffheap;
  523: optional double requested_cpu;
  524: optional double assigned_memonheap;
  525: optional double assigned_memoffheap;
  526: optional double assigned_cpu;
  527: optional double requested_regular_on_heap_memory;
  528: optional double requested_shared_on_heap_memory;
  529: optional double requested_regular_off_heap_memory;
  530: optional double requested_shared_off_heap_memory;
  531: optional double assigned_regular_on_heap_memory;
  532: optional double assigned_shared_on_heap_memory;
  533: optional double assigned_regular_off_heap_memory;
  534: optional double assigned_shared_off_heap_memory;
  535: optional map<string, double> requested_generic_resources;
  536: optional map<string, double> assigned_generic_resources;
}

// ---------------------------------------------------------------- service

// Kill, activate, deactivate and rebalance take the topology name; the info calls take
// the topology id (TopologySummary.id). AuthorizationException is 0.10+; a 0.9.x server
// simply never sends it.
service Nimbus {
  void submitTopology(1: string name, 2: string uploadedJarLocation, 3: string jsonConf,
                      4: StormTopology topology)
      throws (1: AlreadyAliveException e, 2: InvalidTopologyException ite,
              3: AuthorizationException aze);
  void submitTopologyWithOpts(1: string name, 2: string uploadedJarLocation,
                              3: string jsonConf, 4: StormTopology topology,
                              5: SubmitOptions options)
      throws (1: AlreadyAliveException e, 2: InvalidTopologyException ite,
              3: AuthorizationException aze);
  void killTopology(1: string name)
      throws (1: NotAliveException e, 2: AuthorizationException aze);
  void killTopologyWithOpts(1: string name, 2: KillOptions options)
      throws (1: NotAliveException e, 2: AuthorizationException aze);
  void activate(1: string name)
      throws (1: NotAliveException e, 2: AuthorizationException aze);
  void deactivate(1: string name)
      throws (1: NotAliveException e, 2: AuthorizationException aze);
  void rebalance(1: string name, 2: RebalanceOptions options)
      throws (1: NotAliveException e, 2: InvalidTopologyException ite,
              3: AuthorizationException aze);

  // Jar upload: returns a path on the leader's disk to pass to submitTopology.
  string beginFileUpload() throws (1: AuthorizationException aze);
  void uploadChunk(1: string location, 2: binary chunk) throws (1: AuthorizationException aze);
  void finishFileUpload(1: string location) throws (1: AuthorizationException aze);
  // An empty chunk means the download is complete.
  binary downloadChunk(1: string id) throws (1: AuthorizationException aze);

  string getNimbusConf() throws (1: AuthorizationException aze);   // JSON
  ClusterSummary getClusterInfo() throws (1: AuthorizationException aze);
  NimbusSummary getLeader() throws (1: AuthorizationException aze);          // VERSION: 1.1+
  bool isTopologyNameAllowed(1: string name)
      throws (1: AuthorizationException aze);                               // VERSION: 1.1+
  list<TopologySummary> getTopologySummaries()
      throws (1: AuthorizationException aze);                               // VERSION: 2.3+
  TopologySummary getTopologySummaryByName(1: string name)
      throws (1: NotAliveException e, 2: AuthorizationException aze);      // VERSION: 2.3+
  TopologySummary getTopologySummary(1: string id)
      throws (1: NotAliveException e, 2: AuthorizationException aze);      // VERSION: 2.3+

  TopologyInfo getTopologyInfo(1: string id)
      throws (1: NotAliveException e, 2: AuthorizationException aze);
  TopologyInfo getTopologyInfoWithOpts(1: string id, 2: GetInfoOptions options)
      throws (1: NotAliveException e, 2: AuthorizationException aze);      // VERSION: 0.10+
  TopologyInfo getTopologyInfoByName(1: string name)
      throws (1: NotAliveException e, 2: AuthorizationException aze);      // VERSION: 2.3+
  TopologyInfo getTopologyInfoByNameWithOpts(1: string name, 2: GetInfoOptions options)
      throws (1: NotAliveException e, 2: AuthorizationException aze);      // VERSION: 2.3+
  TopologyPageInfo getTopologyPageInfo(1: string id, 2: string window, 3: bool is_include_sys)
      throws (1: NotAliveException e, 2: AuthorizationException aze);      // VERSION: 1.0+
  string getTopologyConf(1: string id)
      throws (1: NotAliveException e, 2: AuthorizationException aze);      // JSON
  StormTopology getTopology(1: string id)
      throws (1: NotAliveException e, 2: AuthorizationException aze);      // with system parts
  StormTopology getUserTopology(1: string id)
      throws (1: NotAliveException e, 2: AuthorizationException aze);      // as submitted
}
